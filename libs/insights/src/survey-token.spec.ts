import { signSurveyToken, surveyKey, verifySurveyToken } from './survey-token';

describe('survey links', () => {
  const key = surveyKey('k'.repeat(32));
  const claims = {
    tenantId: '11111111-2222-4333-8444-555555555555',
    surveyId: '66666666-7777-4888-9999-aaaaaaaaaaaa',
    expiresAt: 2_000_000_000,
  };

  it('round-trips the claims until the expiry', () => {
    const token = signSurveyToken(key, claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]{70}$/);
    expect(verifySurveyToken(key, token, 1_999_999_999)).toEqual({ ok: true, claims });
    expect(verifySurveyToken(key, token, 2_000_000_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses forged, altered and foreign-key tokens as invalid', () => {
    const token = signSurveyToken(key, claims);
    const flipped = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    expect(verifySurveyToken(key, flipped, 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifySurveyToken(surveyKey('x'.repeat(32)), token, 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifySurveyToken(key, token.slice(1), 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifySurveyToken(key, 'not a token', 0)).toEqual({ ok: false, reason: 'invalid' });
    // A later expiry with the old signature is a forgery, not an extension.
    const longer = signSurveyToken(key, { ...claims, expiresAt: claims.expiresAt + 1 });
    expect(verifySurveyToken(key, longer.slice(0, 48) + token.slice(48), 0).ok).toBe(false);
  });
});
