import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import '@testing-library/jest-dom/vitest';
import { calls } from '@edx/frontend-platform';
import { MyTrainingSidebar } from './dashboard';

afterEach(cleanup);

describe('MyTrainingSidebar (learner dashboard)', () => {
  it('reads the summary from the LMS with the MFE client and links the record', async () => {
    globalThis.__elearnSummary = {
      period: '2026-11', quota: { required: 2, completed: 2, met: true }, tasks: [], block: null,
      credits: { month: '4.00', year: '9.00' }, points: '0.00', ranks: [], last_month: null,
    };
    globalThis.__elearnLocale = 'zh-cn';
    render(<MyTrainingSidebar />);
    expect(await screen.findByText('本月必修课已完成 2 / 2')).toBeInTheDocument();
    expect(calls).toContain('https://lms.test/elearn/api/v1/me/summary/');
    expect(screen.getByRole('link')).toHaveAttribute('href', 'https://lms.test/elearn/my-training/');
    expect(document.querySelector('.pgn__card.elearn-my-training-card')).not.toBeNull();
  });
});
