"use client";

import { type ComponentProps, useEffect, useRef, useState } from "react";
import { thumbHashToDataURL } from "thumbhash";

/** The image's ThumbHash (base64, from the Image JSON) as a data URL, or null if it has none or it is unreadable. */
function placeholderUrl(placeholder: string | null | undefined): string | null {
  if (!placeholder) return null;
  try {
    return thumbHashToDataURL(Uint8Array.from(atob(placeholder), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/**
 * An <img> that paints the image's placeholder at once, behind it, and drops it once the image
 * has loaded (a transparent PNG must not show the blur through). A plain img, not next/image:
 * authenticated media is served as-is by our API, never re-optimised.
 */
export function PlaceholderImage({
  placeholder,
  style,
  onLoad,
  alt,
  ...props
}: ComponentProps<"img"> & { placeholder: string | null | undefined; alt: string }) {
  const [loaded, setLoaded] = useState(false);
  const ref = useRef<HTMLImageElement>(null);
  const url = placeholderUrl(placeholder);
  // Server-rendered images can finish loading before hydration attaches onLoad.
  useEffect(() => {
    if (ref.current?.complete && ref.current.naturalWidth > 0) setLoaded(true);
  }, []);
  return (
    <img
      ref={ref}
      alt={alt}
      {...props}
      data-placeholder={url && !loaded ? "shown" : undefined}
      style={url && !loaded ? { ...style, backgroundImage: `url(${url})`, backgroundSize: "100% 100%" } : style}
      onLoad={(event) => {
        setLoaded(true);
        onLoad?.(event);
      }}
    />
  );
}
