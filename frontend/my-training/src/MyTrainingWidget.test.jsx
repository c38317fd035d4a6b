import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import '@testing-library/jest-dom/vitest';
import { MyTrainingWidget } from './MyTrainingWidget';

const MONTH = {
  period: '2026-11',
  quota: { required: 2, completed: 1, met: false },
  tasks: [{ course_key: 'course-v1:Org+Ethics+2026', title: 'Ethics', due_at: '2026-11-30T15:59:00+00:00', overdue: false }],
  block: null,
  credits: { month: '2.00', year: '14.00' },
  points: '5.00',
  ranks: [{ period: '2026-10', rank: 3, credits: '6.00' }],
  last_month: { period: '2026-10', consequences: [] },
};
const resolved = (data) => () => Promise.resolve(data);

afterEach(cleanup);

describe('MyTrainingWidget', () => {
  it('says it is loading first', () => {
    render(<MyTrainingWidget fetchSummary={() => new Promise(() => {})} locale="en" />);
    expect(screen.getByText('Loading your month…')).toBeInTheDocument();
  });

  it('shows the quota, the due dates, the credits and the rank', async () => {
    render(<MyTrainingWidget fetchSummary={resolved(MONTH)} locale="en" archiveUrl="/elearn/my-training/" />);
    expect(await screen.findByText('1 of 2 required courses this month')).toBeInTheDocument();
    expect(screen.getByText(/Ethics — 2026-11-30/)).toBeInTheDocument();
    expect(screen.getByText('Credits: 2.00 this month, 14.00 this year')).toBeInTheDocument();
    expect(screen.getByText('Rank 3 in 2026-10')).toBeInTheDocument();
    expect(screen.getByRole('link')).toHaveAttribute('href', '/elearn/my-training/');
  });

  it('shows an empty month plainly', async () => {
    const empty = { ...MONTH, quota: { required: 2, completed: 0, met: false }, tasks: [], ranks: [], points: '0.00', last_month: null };
    render(<MyTrainingWidget fetchSummary={resolved(empty)} locale="en" />);
    expect(await screen.findByText('No open tasks.')).toBeInTheDocument();
    expect(screen.queryByText(/Contribution points/)).not.toBeInTheDocument();
  });

  it('warns after a month below the quota', async () => {
    const warned = { ...MONTH, last_month: { period: '2026-10', consequences: ['quota_warning'] } };
    render(<MyTrainingWidget fetchSummary={resolved(warned)} locale="en" />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Last month (2026-10): fewer required courses');
  });

  it('shows a suspension with its reason and end', async () => {
    const suspended = { ...MONTH, block: { kind: 'suspension', reason: 'three tasks missed', ends: '2026-12-07 09:00 (Asia/Shanghai)' } };
    render(<MyTrainingWidget fetchSummary={resolved(suspended)} locale="en" />);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Your account is suspended until 2026-12-07 09:00 (Asia/Shanghai). Reason: three tasks missed.',
    );
  });

  it('speaks Chinese', async () => {
    render(<MyTrainingWidget fetchSummary={resolved(MONTH)} locale="zh-cn" />);
    expect(await screen.findByText('本月必修课已完成 1 / 2')).toBeInTheDocument();
    expect(screen.getByText('学分：本月 2.00，本年 14.00')).toBeInTheDocument();
  });

  it('says so when the summary cannot be read', async () => {
    render(<MyTrainingWidget fetchSummary={() => Promise.reject(new Error('403'))} locale="en" />);
    expect(await screen.findByRole('alert')).toHaveTextContent('cannot be shown');
  });
});
