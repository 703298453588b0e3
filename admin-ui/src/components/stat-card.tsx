import { Card, Group, Skeleton, Text, ThemeIcon } from '@mantine/core';

interface StatCardProps {
  label: string;
  /** Several values (e.g. one cost per currency) go one per line. */
  value: string | string[];
  hint?: string;
  icon: React.ReactNode;
  color?: string;
  loading?: boolean;
  testId: string;
}

export function StatCard({ label, value, hint, icon, color = 'indigo', loading, testId }: StatCardProps) {
  return (
    <Card padding="md" data-testid={testId}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <div style={{ minWidth: 0 }}>
          <Text size="sm" c="dimmed" fw={500} lineClamp={1}>
            {label}
          </Text>
          {loading ? (
            <Skeleton h={28} w={90} mt={6} />
          ) : (
            <Text fz={Array.isArray(value) && value.length > 1 ? 18 : 24} fw={700} mt={2} data-testid={`${testId}-value`} lineClamp={Array.isArray(value) ? value.length : 1}>
              {Array.isArray(value)
                ? value.map((line, i) => (
                    <span key={line} style={{ display: 'block' }} data-testid={`${testId}-line-${i}`}>
                      {line}
                    </span>
                  ))
                : value}
            </Text>
          )}
          {hint ? (
            <Text size="xs" c="dimmed" mt={2} lineClamp={1}>
              {hint}
            </Text>
          ) : null}
        </div>
        <ThemeIcon variant="light" color={color} size={38} radius="md">
          {icon}
        </ThemeIcon>
      </Group>
    </Card>
  );
}
