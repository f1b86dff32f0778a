import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ME, renderWithApp } from '../test/render';
import { ViewersBadge } from './viewers-badge';

const A = '00000000-0000-4000-8000-0000000000aa';
const B = '00000000-0000-4000-8000-0000000000bb';

describe('ViewersBadge', () => {
  it('shows nothing when nobody or only I have the ticket open', () => {
    const { container } = renderWithApp(
      <>
        <ViewersBadge userIds={undefined} me={ME.id} />
        <ViewersBadge userIds={[]} me={ME.id} />
        <ViewersBadge userIds={[ME.id]} me={ME.id} />
      </>,
    );
    expect(container.querySelector('.row-viewers')).toBeNull();
  });

  it('counts other people once each, with a translated label and title', () => {
    renderWithApp(<ViewersBadge userIds={[A, ME.id, B, A]} me={ME.id} />);
    const eye = screen.getByRole('img', { name: 'Open by 2 others' });
    expect(eye.getAttribute('title')).toBe('Open by 2 others');
    expect(eye.querySelector('svg[aria-hidden="true"]')).toBeTruthy();
  });

  it('speaks Chinese', () => {
    renderWithApp(<ViewersBadge userIds={[A]} me={ME.id} />, { lang: 'zh-CN' });
    expect(screen.getByRole('img', { name: '另有 1 人正在查看' }).getAttribute('title')).toBe('另有 1 人正在查看');
  });
});
