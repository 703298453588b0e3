import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { CLIENT_PROTOCOLS, type ClientProtocol } from '../../api/types';

const known = (protocol: string): protocol is ClientProtocol => (CLIENT_PROTOCOLS as readonly string[]).includes(protocol);

/** The client protocol's readable name; a name this console does not know is shown as it is. */
export const useProtocolLabel = () => {
  const { t } = useTranslation();
  return (protocol: string) => (known(protocol) ? t(`logs.protocols.${protocol}`) : protocol);
};

/** What the client spoke (Chat Completions, Responses, Anthropic Messages…), with the wire name on hover. */
export function LogProtocol({ protocol }: { protocol: string }) {
  const label = useProtocolLabel();
  return (
    <Badge size="sm" variant="outline" color="gray" tt="none" fw={500} title={protocol} data-testid="log-protocol" data-protocol={protocol} style={{ whiteSpace: 'nowrap' }}>
      {label(protocol)}
    </Badge>
  );
}
