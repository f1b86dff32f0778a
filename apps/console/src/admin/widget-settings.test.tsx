import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { WidgetSettings } from '../api/types';
import { fakeApi, ME, renderWithApp } from '../test/render';
import Admin from './admin';

const settings: WidgetSettings = {
  secret: 'a'.repeat(64),
  greeting: { en: 'Hi! How can we help?', 'zh-CN': '您好！请问有什么可以帮您？' },
  businessHours: null,
  snippet: '<script src="http://localhost/widget.js" data-workspace="acme" async></script>',
};

describe('the chat widget settings', () => {
  it('edits the greeting in each language and saves both, as the API takes them', async () => {
    const api = fakeApi({ 'GET /api/v1/widget/settings': settings, 'PATCH /api/v1/widget/settings': settings });
    renderWithApp(<Admin section="channels" />, {
      api,
      me: { ...ME, permissions: [...ME.permissions, 'settings.manage'] },
    });
    const en = await screen.findByLabelText('Greeting (English)');
    const zh = screen.getByLabelText('Greeting (Chinese)');
    expect((en as HTMLInputElement).value).toBe('Hi! How can we help?');
    expect((zh as HTMLInputElement).value).toBe('您好！请问有什么可以帮您？');

    fireEvent.change(zh, { target: { value: '您好！' } });
    fireEvent.click(screen.getByTestId('widget-greeting-save'));
    await waitFor(() =>
      expect(api.calls.filter((c) => c.method === 'PATCH')).toEqual([
        {
          method: 'PATCH',
          path: '/api/v1/widget/settings',
          body: { greeting: { en: 'Hi! How can we help?', 'zh-CN': '您好！' } },
        },
      ]),
    );
  });
});
