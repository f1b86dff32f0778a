/**
 * Simplified Chinese or English, whole sentences with {{variables}} interpolated, full-width punctuation in Chinese.
 * (No i18next: the widget has a 40 KB budget. The language mapping follows UX.md: zh, zh-TW, zh-Hans, any
 * zh-* -> zh-CN, everything else -> en.)
 */
export type Lang = 'zh-CN' | 'en';

export function pickLang(tag: string | null | undefined): Lang {
  return /^zh(\b|[-_])/i.test((tag ?? '').trim()) ? 'zh-CN' : 'en';
}

const en = {
  openChat: 'Open chat',
  openChatUnread_one: 'Open chat, 1 unread message',
  openChatUnread_other: 'Open chat, {{count}} unread messages',
  closeChat: 'Close chat',
  close: 'Close',
  chatLog: 'Conversation',
  typing: 'Typing…',
  input: 'Message',
  emoji: 'Emoji',
  more: 'More options',
  photo: 'Photo',
  camera: 'Camera',
  send: 'Send',
  sending: 'Sending',
  retry: 'Not sent. Retry',
  read: 'Read',
  you: 'You: ',
  said: '{{name}}: ',
  image: 'Image',
  viewImage: 'View image full size',
  imageViewer: 'Image',
  closeImage: 'Close image',
  zoom: 'Zoom in or out',
  imageFailed: 'The image could not be loaded.',
  uploading: 'Uploading',
  attachment: 'Attachment: {{name}}',
  attachmentUnnamed: 'Attachment',
  newMessages_one: '1 new message',
  newMessages_other: '{{count}} new messages',
  loading: 'Loading…',
  empty: 'How can we help? Send us a message and we will reply as soon as we can.',
  ended: 'This conversation has ended.',
  reload: 'Try again',
  offline: 'You are offline. We will reconnect when your connection is back.',
  reconnecting: 'Connection lost. Reconnecting…',
  reconnected: 'Reconnected.',
  unavailable: 'We can’t reach support right now. Please try again in a moment.',
  identityInvalid: 'We couldn’t verify who you are. Please reload the page and try again.',
  forbidden: 'Chat is not available on this site.',
  historyFailed: 'Earlier messages could not be loaded.',
  rateLimited: 'You are sending messages too quickly. Please wait a moment and try again.',
  rateLimitedSeconds: 'You are sending messages too quickly. Please try again in {{seconds}} seconds.',
  tooLarge: 'Images must be 10 MB or smaller. “{{name}}” is {{size}} MB.',
  notImage: 'Only images can be sent here. “{{name}}” is not an image.',
  invalid: 'This message can’t be sent. Please change it and try again.',
  timeout: 'The message wasn’t sent because the connection is slow. Tap the red ! to try again.',
  sendFailed: 'The message couldn’t be sent. Tap the red ! to try again.',
  uploadFailed: 'The image couldn’t be uploaded. Tap the red ! to try again.',
  offlineIntro: 'No one is available right now. Leave your email address and we’ll reply by email.',
  email: 'Email address',
  emailSubmit: 'Submit',
  emailInvalid: 'Please enter a valid email address, such as name@example.com.',
  emailFailed: 'Your email address couldn’t be saved. Please try again.',
  emailDone: 'Thanks! We’ll reply by email.',
  emailKnown: 'No one is available right now. Leave a message and we’ll reply to {{email}}.',
  yesterday: 'Yesterday {{time}}',
  weekday: '{{day}} {{time}}',
};

export type Key = keyof typeof en;

const zh: Record<Key, string> = {
  openChat: '打开在线客服',
  openChatUnread_one: '打开在线客服，有 1 条未读消息',
  openChatUnread_other: '打开在线客服，有 {{count}} 条未读消息',
  closeChat: '关闭在线客服',
  close: '关闭',
  chatLog: '聊天记录',
  typing: '对方正在输入…',
  input: '输入消息',
  emoji: '表情',
  more: '更多功能',
  photo: '图片',
  camera: '拍摄',
  send: '发送',
  sending: '正在发送',
  retry: '发送失败，点击重新发送',
  read: '已读',
  you: '我：',
  said: '{{name}}：',
  image: '图片',
  viewImage: '查看大图',
  imageViewer: '图片',
  closeImage: '关闭图片',
  zoom: '放大或缩小',
  imageFailed: '图片加载失败。',
  uploading: '正在上传',
  attachment: '附件：{{name}}',
  attachmentUnnamed: '附件',
  newMessages_one: '1 条新消息',
  newMessages_other: '{{count}} 条新消息',
  loading: '正在加载…',
  empty: '有什么可以帮你？发送消息，我们会尽快回复。',
  ended: '会话已结束',
  reload: '重试',
  offline: '网络已断开，恢复后会自动重新连接。',
  reconnecting: '连接已断开，正在重新连接…',
  reconnected: '已重新连接。',
  unavailable: '暂时无法连接客服，请稍后再试。',
  identityInvalid: '无法验证你的身份，请刷新页面后重试。',
  forbidden: '此网站暂不支持在线客服。',
  historyFailed: '之前的消息加载失败。',
  rateLimited: '发送太频繁，请稍后再试。',
  rateLimitedSeconds: '发送太频繁，请 {{seconds}} 秒后再试。',
  tooLarge: '图片不能超过 10 MB，“{{name}}”有 {{size}} MB。',
  notImage: '这里只能发送图片，“{{name}}”不是图片。',
  invalid: '这条消息无法发送，请修改后重试。',
  timeout: '网络不佳，消息没有发出。点击红色感叹号可重新发送。',
  sendFailed: '消息发送失败。点击红色感叹号可重新发送。',
  uploadFailed: '图片上传失败。点击红色感叹号可重新发送。',
  offlineIntro: '现在没有客服在线。留下邮箱地址，我们会通过邮件回复你。',
  email: '邮箱地址',
  emailSubmit: '提交',
  emailInvalid: '请输入有效的邮箱地址，例如 name@example.com。',
  emailFailed: '邮箱地址保存失败，请重试。',
  emailDone: '谢谢！我们会通过邮件回复你。',
  emailKnown: '现在没有客服在线。请留言，我们会回复到 {{email}}。',
  yesterday: '昨天 {{time}}',
  weekday: '{{day}} {{time}}',
};

export type Translate = (key: Key, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const table: Record<Key, string> = lang === 'zh-CN' ? zh : en;
  return (key, vars) => {
    const text = table[key] ?? en[key];
    return vars ? text.replace(/\{\{(\w+)\}\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  };
}

/** `key_one` / `key_other` by count. */
export function plural(t: Translate, base: 'openChatUnread' | 'newMessages', count: number): string {
  return t(`${base}_${count === 1 ? 'one' : 'other'}` as Key, { count });
}
