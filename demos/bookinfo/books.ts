// The book shop's one book, shared by the bookinfo services so ids agree.

export const BOOK = {
  id: 0,
  title: 'The Comedy of Errors',
  summary:
    'Two pairs of identical twins, separated at birth, turn up in the same city on the same day: a farce of mistaken identity, wrongful arrest and accusations of madness.',
};

/** Parses `/<prefix>/<id>`; undefined when the path does not match or names no known book. */
export function bookId(pathname: string, prefix: string): number | undefined {
  const match = new RegExp(`^/${prefix}/(\\d+)$`).exec(pathname);
  return match?.[1] !== undefined && Number(match[1]) === BOOK.id ? BOOK.id : undefined;
}
