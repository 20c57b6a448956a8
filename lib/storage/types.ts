/** The few operations the app needs from a blob store; keys are generated, never user-supplied. */
export type StoredObject = {
  body: ReadableStream<Uint8Array>;
  size: number;
};

/** A key as listed, with when it was last written (the reconciler spares objects younger than an upload takes). */
export type ListedObject = { key: string; lastModified: Date };

/** Where and how a client sends an upload's bytes itself, and what it must send with them. */
type PresignedPut = { url: string; headers: Record<string, string> };

export interface StorageProvider {
  readonly kind: "disk" | "s3";
  /**
   * A URL the client PUTs exactly `bytes` bytes of `contentType` to, at `key`, until it expires: the
   * store itself refuses another size, type or a late or altered request. S3 only: on disk the app
   * signs a URL of its own (lib/uploads).
   */
  presignPut?(
    key: string,
    put: { bytes: number; contentType: string; expiresInSeconds: number },
  ): Promise<PresignedPut>;
  put(key: string, data: Uint8Array, contentType: string): Promise<void>;
  /** null when the key does not exist. */
  get(key: string): Promise<StoredObject | null>;
  /** Deleting a key that does not exist is not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Every key under a prefix (operations and tests: finding strays). */
  list(prefix: string): Promise<string[]>;
  /** The same keys as list(prefix), sorted, each with its last-modified time. */
  listWithDates(prefix: string): Promise<ListedObject[]>;
  /** Throws if the store cannot be reached. */
  check(): Promise<void>;
}

const SAFE_KEY = /^[a-z0-9]+(\/[a-z0-9-]+)*$/;

export function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key)) throw new Error(`Refusing unsafe storage key ${JSON.stringify(key)}`);
}
