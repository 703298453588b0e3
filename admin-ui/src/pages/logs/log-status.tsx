import { Badge } from '@mantine/core';

/** LogEntry.status is the HTTP status the client received (a number), tolerated as text too. */
export function LogStatus({ status }: { status: number | string }) {
  const code = typeof status === 'number' ? status : Number(status);
  const ok = Number.isFinite(code) ? code < 400 : ['ok', 'success'].includes(String(status).toLowerCase());
  const color = ok ? 'teal' : Number.isFinite(code) && code < 500 ? 'orange' : 'red';
  return (
    <Badge size="sm" variant="light" color={color}>
      {String(status)}
    </Badge>
  );
}
