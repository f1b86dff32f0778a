import { initials } from '../lib/format';

const HUES = [210, 160, 280, 20, 330, 100, 250, 45];

function hue(id: string): number {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return HUES[h % HUES.length];
}

/** Initials in a circle; `state` dims (open elsewhere/away) or outlines (typing a reply). */
export function Avatar({
  id,
  name,
  size = 24,
  state,
  label,
}: {
  id: string;
  name: string | null;
  size?: number;
  state?: 'viewing' | 'replying' | 'away';
  label?: string;
}) {
  return (
    <span
      className={`avatar ${state ? `avatar-${state}` : ''}`}
      style={{ width: size, height: size, fontSize: size * 0.42, background: `hsl(${hue(id)} 45% 38%)` }}
      title={label ?? name ?? ''}
      aria-label={label ?? name ?? ''}
      role="img"
      data-state={state}
    >
      {initials(name)}
    </span>
  );
}
