/** A small built-in set of common emoji (the widget has no emoji font or picker library). */
// prettier-ignore
export const EMOJI = [
  '😀', '😁', '😂', '🤣', '😊', '😍', '😘', '🥰',
  '😎', '🤔', '🙂', '😉', '😅', '😇', '🤗', '😳',
  '🙄', '😴', '😭', '😢', '😱', '😡', '😤', '😓',
  '👍', '👎', '👌', '🙏', '👏', '💪', '👋', '🤝',
  '❤️', '💔', '🎉', '🔥', '✨', '🌹', '☕', '🍉',
  '🎂', '🧧', '💯', '✅', '❌', '❓', '⭐', '🌙',
];
