/**
 * A caller's photo, made ready on the phone before upload: decoded by the phone's own browser
 * (which reads what its camera writes, HEIC on an iPhone included), turned upright, scaled down and
 * sent as JPEG, which every console and /audit browser can show. A 12 MP iPhone photo is 2–5 MB
 * as HEIC and larger as JPEG; over a weak network that upload fails, so the long side is capped
 * and the quality lowered until the file fits. The file input does not list image/heic, so iOS
 * converts to JPEG when it hands the photo over anyway.
 */

/** Long side of a sent photo, in pixels: plenty to read a wound or a label on a full-HD console. */
export const PHOTO_MAX_SIDE = 2048;
/** A sent photo stays under this many bytes (a few seconds on a weak 3G uplink of ~0.5 Mbit/s). */
export const PHOTO_MAX_BYTES = 900_000;
/** JPEG qualities tried in turn until the photo fits; then the side shrinks. */
const QUALITIES = [0.82, 0.7, 0.55];

export type PhotoFailure = 'unreadable' | 'encode';

/** The phone could not read the file as an image (`unreadable`) or could not write the JPEG (`encode`). */
export class PhotoError extends Error {
  constructor(
    readonly reason: PhotoFailure,
    message: string,
  ) {
    super(message);
    this.name = 'PhotoError';
  }
}

/** `file` as a JPEG of at most PHOTO_MAX_SIDE px and PHOTO_MAX_BYTES, upright. Throws PhotoError. */
export async function preparePhoto(file: Blob): Promise<Blob> {
  const image = await decode(file);
  try {
    let side = Math.min(PHOTO_MAX_SIDE, Math.max(image.width, image.height));
    for (;;) {
      for (const quality of QUALITIES) {
        const jpeg = await encode(image, side, quality);
        if (jpeg.size <= PHOTO_MAX_BYTES) return jpeg;
      }
      // Still too big at the lowest quality (a very detailed scene): fewer pixels.
      if (side <= 512) throw new PhotoError('encode', `no JPEG under ${PHOTO_MAX_BYTES} bytes`);
      side = Math.round(side * 0.75);
    }
  } finally {
    image.close();
  }
}

interface Decoded {
  width: number;
  height: number;
  source: CanvasImageSource;
  close(): void;
}

/**
 * createImageBitmap where it takes a Blob (Chrome, Firefox, Safari 15+), turned upright by its EXIF
 * orientation; else an <img>, which browsers draw upright too (CSS `image-orientation: from-image`
 * is the default since Chrome 81 and Safari 13.1).
 */
async function decode(file: Blob): Promise<Decoded> {
  if (typeof createImageBitmap === 'function') {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      return { width: bitmap.width, height: bitmap.height, source: bitmap, close: () => bitmap.close() };
    } catch {
      // Fall through: an older engine may read through <img> what createImageBitmap refuses.
    }
  }
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.src = url;
  try {
    await img.decode();
  } catch (err) {
    URL.revokeObjectURL(url);
    throw new PhotoError('unreadable', `cannot decode ${file.type || 'the file'}: ${(err as Error).message}`);
  }
  return { width: img.naturalWidth, height: img.naturalHeight, source: img, close: () => URL.revokeObjectURL(url) };
}

function encode(image: Decoded, longSide: number, quality: number): Promise<Blob> {
  const scale = longSide / Math.max(image.width, image.height);
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(image.width * scale));
  canvas.height = Math.max(1, Math.round(image.height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) return Promise.reject(new PhotoError('encode', 'no 2D canvas'));
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image.source, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new PhotoError('encode', 'toBlob gave nothing'))), 'image/jpeg', quality),
  );
}
