/**
 * Byte-level checks that decide whether an already-fitting JPEG/PNG may be passed through
 * unchanged. They are deliberately strict: anything we do not recognise as pure image
 * data (EXIF, XMP, ICC, comments, APNG frames, bytes after the end marker) means
 * "re-encode", because a pass-through must not carry metadata or smuggled payloads.
 */

const PNG_SIGNATURE_LENGTH = 8;
// Chunks that only describe pixels; everything else (tEXt, zTXt, iTXt, eXIf, iCCP, tIME,
// acTL/fcTL/fdAT, private chunks) forces a re-encode.
const PNG_IMAGE_CHUNKS = new Set(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND', 'sRGB', 'gAMA', 'cHRM', 'pHYs', 'bKGD', 'sBIT']);

export function isCleanPng(buf: Buffer): boolean {
  let offset = PNG_SIGNATURE_LENGTH;
  while (offset + 12 <= buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const next = offset + 12 + length;
    if (next > buf.length || !PNG_IMAGE_CHUNKS.has(type)) return false;
    if (type === 'IEND') return next === buf.length;
    offset = next;
  }
  return false;
}

// Markers without a length field.
const isStandalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

export function isCleanJpeg(buf: Buffer): boolean {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return false;
  // The scan data is opaque to us; require that the file ends right at EOI.
  if (buf[buf.length - 2] !== 0xff || buf[buf.length - 1] !== 0xd9) return false;
  let offset = 2;
  while (offset + 4 <= buf.length) {
    if (buf[offset] !== 0xff) return false;
    const marker = buf[offset + 1];
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (isStandalone(marker)) {
      offset += 2;
      continue;
    }
    // APP1..APP15 carry EXIF, XMP, ICC, IPTC, MPF, ...; COM is a free-text comment.
    if ((marker >= 0xe1 && marker <= 0xef) || marker === 0xfe) return false;
    if (marker === 0xda) return true; // start of scan: headers were clean
    const length = buf.readUInt16BE(offset + 2);
    if (length < 2) return false;
    offset += 2 + length;
  }
  return false;
}
