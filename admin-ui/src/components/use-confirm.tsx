import { Button, Group, Modal, Text } from '@mantine/core';
import { useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

interface ConfirmOptions {
  title: string;
  message: React.ReactNode;
  confirmLabel?: string;
  danger?: boolean;
}

/**
 * A promise-returning confirmation dialog: `if (await confirm({...})) doIt()`.
 * Returns the function and the element to render once in the page.
 */
export function useConfirm(testId = 'confirm-modal'): [(options: ConfirmOptions) => Promise<boolean>, React.ReactNode] {
  const { t } = useTranslation();
  const [options, setOptions] = useState<ConfirmOptions | null>(null);
  const resolver = useRef<((value: boolean) => void) | null>(null);

  const confirm = useCallback((next: ConfirmOptions) => {
    setOptions(next);
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
    });
  }, []);

  const settle = (value: boolean) => {
    resolver.current?.(value);
    resolver.current = null;
    setOptions(null);
  };

  const element = (
    <Modal
      opened={options !== null}
      onClose={() => settle(false)}
      title={options?.title}
      size="sm"
      data-testid={testId}
    >
      <Text size="sm" mb="lg">
        {options?.message}
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={() => settle(false)} data-testid="confirm-cancel">
          {t('common.cancel')}
        </Button>
        <Button
          color={options?.danger === false ? undefined : 'red'}
          onClick={() => settle(true)}
          data-testid="confirm-ok"
        >
          {options?.confirmLabel ?? t('common.confirm')}
        </Button>
      </Group>
    </Modal>
  );
  return [confirm, element];
}
