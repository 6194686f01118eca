/**
 * Crash-safe file writes: the bytes go to a temporary file in the target's directory, are fsynced,
 * then renamed over the target. rename() within one directory is atomic on POSIX filesystems, so
 * a reader (or a crash) sees either the old file or the complete new one, never a torn write.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Syncs the directory entry so the rename itself survives a power loss (best effort). */
async function syncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Some platforms (Windows) cannot open directories; the data itself is already synced.
  }
}

function syncDirSync(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // see syncDir
  }
}

/** Writes `data` (one buffer, or chunks written in order) to `path` atomically (temporary file, fsync, rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('writeFileAtomic: expected a file path');
  const tmp = tempPathFor(path);
  let renamed = false;
  try {
    const h = await open(tmp, 'wx', 0o644);
    try {
      for (const chunk of data instanceof Uint8Array ? [data] : data) {
        let off = 0;
        while (off < chunk.byteLength) {
          const { bytesWritten } = await h.write(chunk, off, chunk.byteLength - off);
          off += bytesWritten;
        }
      }
      await h.sync();
    } finally {
      await h.close();
    }
    await rename(tmp, path);
    renamed = true;
    await syncDir(dirname(path));
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}

/** writeFileAtomic, blocking. */
export function writeFileAtomicSync(path: string, data: Uint8Array | readonly Uint8Array[]): void {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('writeFileAtomicSync: expected a file path');
  const tmp = tempPathFor(path);
  let renamed = false;
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      for (const chunk of data instanceof Uint8Array ? [data] : data) {
        let off = 0;
        while (off < chunk.byteLength) off += writeSync(fd, chunk, off, chunk.byteLength - off);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    renamed = true;
    syncDirSync(dirname(path));
  } finally {
    if (!renamed) {
      try {
        unlinkSync(tmp);
      } catch {
        // the temporary file was never created
      }
    }
  }
}
