import type { ReactNode } from 'react';
import { follow } from '../router.js';

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  return (
    <a href={to} onClick={follow} className={className}>
      {children}
    </a>
  );
}
