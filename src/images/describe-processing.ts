import { formatBytes } from './image-errors.js';
import type { ProcessedImage } from './process-image.js';

/**
 * Compact, ASCII-only header value, e.g.
 * `png 4000x3000 5.1MB -> jpeg 2048x1536 412KB; rotate-exif,strip-metadata,jpeg q85`.
 * Resize steps are left out because the two sizes already show them. Kept apart from the
 * pipeline so routes can use it without loading sharp.
 */
export function describeProcessing(p: ProcessedImage): string {
  const from = `${p.original.format} ${p.original.width}x${p.original.height} ${formatBytes(p.original.bytes)}`;
  const to = `${p.format} ${p.width}x${p.height} ${formatBytes(p.bytes)}`;
  const ops = p.operations.filter((op) => !op.startsWith('resize '));
  return ops.length ? `${from} -> ${to}; ${ops.join(',')}` : `${from} -> ${to}`;
}
