import { ActionIcon, Group, Image, Stack, Text } from '@mantine/core';
import { IconPhotoUp, IconX } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  file: File | null;
  onFile: (file: File | null) => void;
  /** Listen for pasted images only while this test is on screen. */
  pasteEnabled: boolean;
}

const firstImage = (files: FileList | File[] | null | undefined) =>
  Array.from(files ?? []).find((f) => f.type.startsWith('image/')) ?? null;

/** Drop, paste or pick an image; shows a preview. */
export function ImageDrop({ file, onFile, pasteEnabled }: Props) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [preview, setPreview] = useState<string | null>(null);

  useEffect(() => {
    if (!file) {
      setPreview(null);
      return;
    }
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  useEffect(() => {
    if (!pasteEnabled) return;
    const onPaste = (event: ClipboardEvent) => {
      const image = firstImage(event.clipboardData?.files);
      if (image) {
        event.preventDefault();
        onFile(image);
      }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [pasteEnabled, onFile]);

  return (
    <Stack gap="xs">
      <div
        className="drop-zone"
        role="button"
        tabIndex={0}
        data-dragging={String(dragging)}
        data-testid="vision-drop-zone"
        onClick={() => input.current?.click()}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') input.current?.click();
        }}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const image = firstImage(e.dataTransfer.files);
          if (image) onFile(image);
        }}
      >
        {preview ? (
          <Image src={preview} alt={file?.name ?? ''} mah={240} fit="contain" data-testid="vision-preview" />
        ) : (
          <Stack align="center" gap={4} py="md">
            <IconPhotoUp size={36} stroke={1.4} color="var(--mantine-color-dimmed)" />
            <Text size="sm" fw={500}>
              {t('playground.dropImage')}
            </Text>
            <Text size="xs" c="dimmed">
              {t('playground.dropImageHint')}
            </Text>
          </Stack>
        )}
        <input
          ref={input}
          type="file"
          accept="image/*"
          hidden
          data-testid="vision-file-input"
          onChange={(e) => {
            onFile(firstImage(e.currentTarget.files));
            e.currentTarget.value = '';
          }}
        />
      </div>
      {file ? (
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <Text size="xs" c="dimmed" truncate="end" data-testid="vision-file-name">
            {file.name} · {(file.size / 1024).toFixed(1)} KB · {file.type}
          </Text>
          <ActionIcon variant="subtle" color="gray" size="sm" onClick={() => onFile(null)} aria-label={t('playground.removeImage')} data-testid="vision-clear">
            <IconX size={14} />
          </ActionIcon>
        </Group>
      ) : null}
    </Stack>
  );
}
