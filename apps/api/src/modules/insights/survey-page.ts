import type { SurveyView } from '@crewdesk/insights';

/** The small public survey page: server-rendered, no console needed, in Simplified Chinese or English. */
export type Lang = 'en' | 'zh-CN';

/** zh-CN when the browser prefers Chinese over English (the first of the two in Accept-Language wins). */
export function pickLang(acceptLanguage: string | undefined): Lang {
  const langs = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, q] = part.trim().split(';q=');
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q) || 0 };
    })
    .filter((l) => l.tag)
    .sort((a, b) => b.q - a.q);
  const first = langs.find((l) => l.tag.startsWith('zh') || l.tag.startsWith('en'));
  return first?.tag.startsWith('zh') ? 'zh-CN' : 'en';
}

const T = {
  en: {
    title: 'How did we do?',
    intro: (n: number, s: string) => `About your request #${n}: ${s}`,
    csat: 'How satisfied are you with the help you got?',
    csatLow: 'Very unsatisfied',
    csatHigh: 'Very satisfied',
    nps: 'How likely are you to recommend us to a friend? (optional)',
    npsLow: 'Not at all likely',
    npsHigh: 'Extremely likely',
    ces: 'How easy was it to get your issue solved? (optional)',
    cesLow: 'Very easy',
    cesHigh: 'Very hard',
    comment: 'Anything you want to tell us? (optional)',
    submit: 'Send',
    change: 'Change my answer',
    thanks: 'Thank you! Your answer was saved. You can change it until',
    answered: 'You answered this survey. You can change your answer until',
    failed: 'Sorry, that did not work. Please try again.',
    pickCsat: 'Please choose how satisfied you are.',
    invalid: 'This survey link is not valid.',
    expired: 'This survey has closed. Thank you anyway!',
  },
  'zh-CN': {
    title: '您对本次服务满意吗？',
    intro: (n: number, s: string) => `关于您的工单 #${n}：${s}`,
    csat: '您对本次获得的帮助满意吗？',
    csatLow: '非常不满意',
    csatHigh: '非常满意',
    nps: '您有多大可能向朋友推荐我们？（选填）',
    npsLow: '完全不可能',
    npsHigh: '非常可能',
    ces: '解决您的问题有多容易？（选填）',
    cesLow: '非常容易',
    cesHigh: '非常困难',
    comment: '还有什么想告诉我们的吗？（选填）',
    submit: '提交',
    change: '修改我的回答',
    thanks: '谢谢！您的回答已保存，在此之前都可以修改：',
    answered: '您已回答过本问卷，在此之前都可以修改：',
    failed: '抱歉，提交失败，请重试。',
    pickCsat: '请选择您的满意程度。',
    invalid: '此问卷链接无效。',
    expired: '此问卷已结束，仍然感谢您！',
  },
} as const;

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function shell(lang: Lang, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f6f8;color:#1f2328}
main{max-width:560px;margin:24px auto;padding:24px;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}
h1{font-size:22px;margin:0 0 8px}p.intro{color:#555;margin:0 0 20px;word-break:break-word}
fieldset{border:0;padding:0;margin:0 0 20px}legend{font-weight:600;margin-bottom:8px}
.scale{display:flex;flex-wrap:wrap;gap:6px}.scale label{position:relative}
.scale input{position:absolute;opacity:0;width:100%;height:100%;margin:0;cursor:pointer}
.scale span{display:inline-block;min-width:40px;padding:8px 0;text-align:center;border:1px solid #c9ced6;border-radius:8px}
.scale input:checked+span{background:#07c160;border-color:#07c160;color:#fff}
.scale input:focus-visible+span{outline:3px solid #0969da;outline-offset:2px}
.ends{display:flex;justify-content:space-between;color:#666;font-size:13px;margin-top:4px}
textarea{width:100%;box-sizing:border-box;min-height:90px;font:inherit;padding:8px;border:1px solid #c9ced6;border-radius:8px}
button{background:#07c160;color:#fff;border:0;border-radius:8px;padding:10px 24px;font:inherit;cursor:pointer}
#status{margin-top:12px;min-height:1.5em}
</style></head><body><main>${body}</main></body></html>`;
}

function scale(
  name: string,
  from: number,
  to: number,
  current: number | null,
  low: string,
  high: string,
  legend: string,
) {
  const options = [];
  for (let v = from; v <= to; v++)
    options.push(
      `<label><input type="radio" name="${name}" value="${v}"${current === v ? ' checked' : ''}><span>${v}</span></label>`,
    );
  return `<fieldset><legend id="${name}-l">${esc(legend)}</legend><div class="scale" role="radiogroup" aria-labelledby="${name}-l">${options.join('')}</div>
<div class="ends" aria-hidden="true"><span>${esc(low)}</span><span>${esc(high)}</span></div></fieldset>`;
}

export function surveyPage(
  lang: Lang,
  s: {
    survey: SurveyView;
    workspaceName: string;
    ticketNumber: number;
    subject: string;
    questions?: { nps: boolean; ces: boolean };
  },
  token: string,
): string {
  const t = T[lang];
  const a = s.survey.answer;
  const until = new Date(s.survey.expiresAt).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const body = `<h1>${esc(t.title)}</h1><p class="intro">${esc(s.workspaceName)} · ${esc(t.intro(s.ticketNumber, s.subject))}</p>
${a ? `<p>${esc(t.answered)} ${esc(until)}</p>` : ''}
<form id="f" novalidate>
${scale('csat', 1, 5, a?.csat ?? null, t.csatLow, t.csatHigh, t.csat)}
${s.questions?.nps === false ? '' : scale('nps', 0, 10, a?.nps ?? null, t.npsLow, t.npsHigh, t.nps)}
${s.questions?.ces === false ? '' : scale('ces', 1, 7, a?.ces ?? null, t.cesLow, t.cesHigh, t.ces)}
<fieldset><legend><label for="comment">${esc(t.comment)}</label></legend><textarea id="comment" name="comment" maxlength="2000">${esc(a?.comment ?? '')}</textarea></fieldset>
<button type="submit">${esc(a ? t.change : t.submit)}</button><div id="status" role="status" aria-live="polite"></div>
</form>
<script>
(function(){var f=document.getElementById('f'),st=document.getElementById('status');
f.addEventListener('submit',function(e){e.preventDefault();
var v=function(n){var x=f.querySelector('input[name='+n+']:checked');return x?Number(x.value):null;};
if(v('csat')===null){st.textContent=${JSON.stringify(t.pickCsat)};return;}
var body={csat:v('csat'),nps:v('nps'),ces:v('ces'),comment:f.comment.value||null};
fetch(${JSON.stringify(`./${token}`)},{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body)})
.then(function(r){st.textContent=r.ok?${JSON.stringify(`${t.thanks} ${until}`)}:${JSON.stringify(t.failed)};})
.catch(function(){st.textContent=${JSON.stringify(t.failed)};});});})();
</script>`;
  return shell(lang, t.title, body);
}

export function surveyErrorPage(lang: Lang, code: string): string {
  const t = T[lang];
  return shell(lang, t.title, `<h1>${esc(code === 'SURVEY_LINK_EXPIRED' ? t.expired : t.invalid)}</h1>`);
}
