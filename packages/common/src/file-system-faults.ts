/**
 * Injected failures for MemoryFileSystem: a matching call throws `FileSystemError` with the
 * fault's code and has no other effect.
 */
import { FileSystemError } from './file-system.js';

/** Every call a fault can target: the FileSystem methods and the FileHandle methods. */
export type FileSystemOp =
  | 'open'
  | 'readFile'
  | 'readdir'
  | 'mkdir'
  | 'rename'
  | 'unlink'
  | 'exists'
  | 'syncDirectory'
  | 'read'
  | 'write'
  | 'datasync'
  | 'size'
  | 'truncate'
  | 'close';

export type InjectedFaultCode = 'ENOSPC' | 'EACCES' | 'EIO' | 'EPERM' | 'EROFS';

export interface FaultSpec {
  readonly op: FileSystemOp;
  /**
   * Which paths: an exact (normalized, absolute) path or a pattern; any path when absent.
   * Handle calls match the path the handle was opened with; rename matches either side.
   */
  readonly path?: RegExp | string;
  readonly code: InjectedFaultCode;
  /** How many matching calls fail; every one until `clearFaults()` when absent. */
  readonly times?: number;
}

interface ActiveFault {
  readonly spec: FaultSpec;
  remaining: number;
}

export class FaultSet {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    this.faults.push({ spec, remaining: spec.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults = [];
  }

  /** Throws the first live fault matching the call, consuming one of its `times`. */
  check(op: FileSystemOp, paths: readonly string[]): void {
    for (const fault of this.faults) {
      if (fault.remaining <= 0 || fault.spec.op !== op) continue;
      const pattern = fault.spec.path;
      if (pattern !== undefined && !paths.some((path) => matches(pattern, path))) continue;
      fault.remaining--;
      throw new FileSystemError(fault.spec.code, `${fault.spec.code}: injected fault, ${op} '${paths.join("' -> '")}'`);
    }
  }
}

function matches(pattern: RegExp | string, path: string): boolean {
  // search() ignores a global pattern's lastIndex, so a /g pattern matches every time.
  return typeof pattern === 'string' ? pattern === path : path.search(pattern) >= 0;
}
