import sharp from 'sharp';
import { AppError, ImageRefusedError } from '../errors.js';

/**
 * Every still is decoded and re-encoded here (sharp, i.e. libvips) before it is stored, so no browser
 * ever decodes what a caller sent (issue #11, item 13: a 20000×20000 PNG of a few kB is a
 * decompression bomb for the console). The figures:
 * - `maxInputPixels` 24 MP: a 6000×4000 camera photo, twice what the caller page sends at most
 *   (2048 px a side, client/src/caller/photo.ts) and above any video frame a snapshot is made of
 *   (4K is 8.3 MP). libvips reads the header first and refuses larger before decoding a pixel.
 * - `maxEdge` 2048 px: what the caller page scales to; larger is shrunk (aspect kept), never enlarged.
 * - Re-encoded in the same format (JPEG and WebP at quality 85, PNG lossless), first page only.
 * - All metadata is dropped (sharp's default, kept deliberately): EXIF GPS would place the caller
 *   where the photo was taken, which may not be where they call from nor something they agreed to
 *   share (their location is shared on its own, with consent); camera serials and comments too.
 *   EXIF orientation is applied to the pixels first, so the picture stays upright.
 */
export const IMAGE_LIMITS = { maxInputPixels: 24_000_000, maxEdge: 2048, quality: 85 } as const;

// No cache of decoded images between requests: each still is decoded once, and memory stays flat.
sharp.cache(false);

export type StillFormat = 'jpeg' | 'png' | 'webp';

/**
 * @returns the re-encoded image, in `format`, at most `maxEdge` px a side, without metadata.
 * @throws ImageRefusedError 'too_many_pixels' (413) above `maxInputPixels`; 'undecodable' (400) for
 *   anything libvips cannot decode without error (a truncated or forged file).
 */
export async function sanitizeImage(input: Buffer, format: StillFormat): Promise<Buffer> {
  try {
    const image = sharp(input, { limitInputPixels: IMAGE_LIMITS.maxInputPixels, failOn: 'error', pages: 1 });
    const { width, height } = await image.metadata();
    if (!width || !height) throw new ImageRefusedError('undecodable', 'the image has no size');
    if (width * height > IMAGE_LIMITS.maxInputPixels) {
      throw new ImageRefusedError('too_many_pixels', `the image is ${width}×${height}: at most ${IMAGE_LIMITS.maxInputPixels / 1e6} megapixels`);
    }
    const fitted = image.rotate().resize({ width: IMAGE_LIMITS.maxEdge, height: IMAGE_LIMITS.maxEdge, fit: 'inside', withoutEnlargement: true });
    const encoded =
      format === 'jpeg'
        ? fitted.jpeg({ quality: IMAGE_LIMITS.quality, mozjpeg: true })
        : format === 'webp'
          ? fitted.webp({ quality: IMAGE_LIMITS.quality })
          : fitted.png();
    return await encoded.toBuffer();
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (/pixel limit/i.test((err as Error).message))
      throw new ImageRefusedError('too_many_pixels', `the image is larger than ${IMAGE_LIMITS.maxInputPixels / 1e6} megapixels`);
    throw new ImageRefusedError('undecodable', 'the image could not be decoded');
  }
}
