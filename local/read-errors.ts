/** Why a file could not be read, in the words of a one-line CLI message (`no such file`, ...). */
export function unreadableBecause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
      return 'permission denied';
    default:
      return String(error);
  }
}
