import { useAuthInfo } from '../api/hooks';

/** The operator-chosen platform name (public, so it is known before login too). */
export function usePlatformName(): string {
  const info = useAuthInfo();
  return info.data?.platformName || 'LLM Gateway';
}
