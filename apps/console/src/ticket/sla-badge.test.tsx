import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp } from '../test/render';
import { SlaBadge } from './sla-badge';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const at = (m: number) => new Date(NOW + m * 60_000).toISOString();

describe('SlaBadge', () => {
  it('shows the time to the target as text, with the state in words', () => {
    renderWithApp(
      <SlaBadge timer={{ metric: 'first_response', dueAt: at(42), warnAt: at(30), status: 'active' }} now={NOW} />,
    );
    const b = screen.getByTestId('sla-badge');
    expect(b.textContent).toContain('42m');
    expect(b.dataset.tone).toBe('ok');
    expect(b.getAttribute('aria-label')).toBe('First response: On track, 42m');
  });

  it('turns amber and red, never by colour alone', () => {
    renderWithApp(
      <>
        <SlaBadge timer={{ metric: 'first_response', dueAt: at(5), warnAt: at(-1), status: 'active' }} now={NOW} />
        <SlaBadge timer={{ metric: 'resolution', dueAt: at(-15), breachedAt: at(-15), status: 'active' }} now={NOW} />
      </>,
    );
    const [risk, late] = screen.getAllByTestId('sla-badge');
    expect(risk.className).toContain('sla-risk');
    expect(risk.getAttribute('aria-label')).toContain('At risk');
    expect(late.className).toContain('sla-breached');
    expect(late.textContent).toContain('!');
    expect(late.textContent).toContain('-15m');
  });

  it('speaks Chinese', () => {
    renderWithApp(
      <SlaBadge timer={{ metric: 'resolution', dueAt: null, pausedAt: at(-3), status: 'active' }} now={NOW} />,
      { lang: 'zh-CN' },
    );
    expect(screen.getByTestId('sla-badge').getAttribute('aria-label')).toBe('解决：已暂停');
  });
});
