// Runs the provider simulator from TypeScript source via tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/simulator/cli.ts');
