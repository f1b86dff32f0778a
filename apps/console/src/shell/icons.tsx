/** Small inline icons (no emoji: they depend on the system's fonts). Decorative: labels come from the text beside them. */
const base = {
  width: 14,
  height: 14,
  viewBox: '0 0 16 16',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 1.6,
  strokeLinecap: 'round' as const,
  strokeLinejoin: 'round' as const,
  'aria-hidden': true,
  focusable: false,
  className: 'icon',
};

export const LockIcon = () => (
  <svg {...base}>
    <rect x="3" y="7" width="10" height="7" rx="1.5" />
    <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" />
  </svg>
);
export const ClipIcon = () => (
  <svg {...base}>
    <path d="M10.5 4.5 5.2 9.8a1.5 1.5 0 0 0 2.1 2.1l5.3-5.3a3 3 0 0 0-4.2-4.2L3 7.8a4.5 4.5 0 0 0 6.4 6.4l4-4" />
  </svg>
);
const MailIcon = () => (
  <svg {...base}>
    <rect x="2" y="3.5" width="12" height="9" rx="1.5" />
    <path d="m2.5 4.5 5.5 4.5 5.5-4.5" />
  </svg>
);
const ChatIcon = () => (
  <svg {...base}>
    <path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" />
  </svg>
);
const WebIcon = () => (
  <svg {...base}>
    <circle cx="8" cy="8" r="5.5" />
    <path d="M2.5 8h11M8 2.5c2 2 2 9 0 11M8 2.5c-2 2-2 9 0 11" />
  </svg>
);
const ApiIcon = () => (
  <svg {...base}>
    <path d="m5.5 4.5-3 3.5 3 3.5M10.5 4.5l3 3.5-3 3.5" />
  </svg>
);
const WeChatIcon = () => (
  <svg {...base}>
    <ellipse cx="6.5" cy="6.5" rx="4.5" ry="3.5" />
    <ellipse cx="10.5" cy="10" rx="3.5" ry="2.8" />
  </svg>
);

export function ChannelIcon({ channel }: { channel: string }) {
  switch (channel) {
    case 'email':
      return <MailIcon />;
    case 'chat':
      return <ChatIcon />;
    case 'wechat':
      return <WeChatIcon />;
    case 'api':
      return <ApiIcon />;
    default:
      return <WebIcon />;
  }
}

export const EyeIcon = () => (
  <svg {...base}>
    <path d="M1.5 8s2.4-4.5 6.5-4.5S14.5 8 14.5 8 12.1 12.5 8 12.5 1.5 8 1.5 8z" />
    <circle cx="8" cy="8" r="2" />
  </svg>
);
