/** Recognises an image by its first bytes; the declared Content-Type alone is not trusted. */
export type ImageType = 'jpeg' | 'png' | 'webp' | 'heic';

export const IMAGE_CONTENT_TYPES: Record<ImageType, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
};

export function sniffImage(buf: Buffer): ImageType | undefined {
  if (buf.length < 12) return undefined;
  if (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  const brand = buf.toString('latin1', 4, 12);
  if (brand === 'ftypheic' || brand === 'ftypheix' || brand === 'ftypmif1' || brand === 'ftyphevc') return 'heic';
  return undefined;
}
