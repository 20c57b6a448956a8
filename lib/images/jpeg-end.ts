const EOI = Buffer.from([0xff, 0xd9]);

/**
 * Whether a JPEG's compressed data reaches its end marker (EOI): a file cut short, as an
 * interrupted transfer leaves it, has none. libjpeg notices missing data as it decodes, but when
 * what is missing falls in the last rows of a reduced-size decode (shrink-on-load), it says so
 * only as libvips finishes, too late to fail; this check does not depend on where the cut falls.
 *
 * The marker segments before the first scan are walked by their lengths (an EXIF thumbnail in
 * APP1 has markers of its own); from there, the first FF D9 is the end marker, since inside
 * entropy-coded data an FF byte is followed only by 00 or a restart marker. Bytes after it (a
 * motion photo's video, say) are allowed. A header this walk cannot follow counts as not whole.
 */
export function jpegReachesEnd(bytes: Buffer): boolean {
  let offset = 2; // after SOI
  for (;;) {
    while (bytes[offset] === 0xff && bytes[offset + 1] === 0xff) offset++; // fill bytes
    if (offset + 4 > bytes.length || bytes[offset] !== 0xff) return false;
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // TEM and RSTn stand alone, with no length
      continue;
    }
    if (marker === 0xd9) return false; // an end before any scan: no image
    const length = ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0);
    if (length < 2) return false;
    offset += 2 + length;
    if (marker === 0xda) return bytes.indexOf(EOI, offset) !== -1;
  }
}
