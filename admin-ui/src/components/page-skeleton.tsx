import { Group, SimpleGrid, Skeleton, Stack } from '@mantine/core';

/** Placeholder while a lazily loaded page or its first data arrive. */
export function PageSkeleton({ cards = 4 }: { cards?: number }) {
  return (
    <Stack gap="lg" data-testid="page-skeleton">
      <Group justify="space-between">
        <Skeleton h={28} w={220} />
        <Skeleton h={34} w={140} />
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 2, md: cards }}>
        {Array.from({ length: cards }, (_, i) => (
          <Skeleton key={i} h={96} />
        ))}
      </SimpleGrid>
      <Skeleton h={280} />
    </Stack>
  );
}

export function TableSkeleton({ rows = 6 }: { rows?: number }) {
  return (
    <Stack gap="xs" data-testid="table-skeleton">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} h={36} />
      ))}
    </Stack>
  );
}
