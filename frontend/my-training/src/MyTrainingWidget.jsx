import React, { useEffect, useState } from 'react';
import { MESSAGES, format, languageOf } from './messages';

// The learner's month for the dashboard's sidebar (P-16, P-20, P-21, P-25, P-8). Everything
// it shows is decided by the server (`/elearn/api/v1/me/summary/`); it only displays.
export function MyTrainingWidget({ fetchSummary, locale, archiveUrl }) {
  const t = MESSAGES[languageOf(locale)];
  const [state, setState] = useState({ status: 'loading', data: null });
  useEffect(() => {
    let alive = true;
    fetchSummary()
      .then((data) => alive && setState({ status: 'ready', data }))
      .catch(() => alive && setState({ status: 'error', data: null }));
    return () => { alive = false; };
  }, [fetchSummary]);

  if (state.status === 'loading') {
    return <section className="elearn-my-training" aria-busy="true"><p>{t.loading}</p></section>;
  }
  if (state.status === 'error') {
    return <section className="elearn-my-training"><p role="alert">{t.error}</p></section>;
  }
  const { data } = state;
  const block = data.block;
  const warned = data.last_month && (data.last_month.consequences || []).includes('quota_warning');
  return (
    <section className="elearn-my-training" aria-labelledby="elearn-my-training-title">
      <h2 id="elearn-my-training-title">{t.title}</h2>
      {block && (
        <p role="alert" className="elearn-my-training__block">
          {format(t[block.kind] || t.suspension, { ends: block.ends || '', reason: block.reason })}
        </p>
      )}
      {warned && <p role="alert" className="elearn-my-training__warning">{format(t.warned, { period: data.last_month.period })}</p>}
      <p className="elearn-my-training__quota">
        {format(t.quota, { done: data.quota.completed, required: data.quota.required })}
        {data.quota.met && <strong> · {t.quotaMet}</strong>}
      </p>
      <h3>{t.tasks}</h3>
      {data.tasks.length === 0 ? <p>{t.noTasks}</p> : (
        <ul className="elearn-my-training__tasks">
          {data.tasks.map((task) => (
            <li key={task.course_key}>
              {task.title} — {task.due_at.slice(0, 10)}
              {task.overdue && <strong> ({t.overdue})</strong>}
            </li>
          ))}
        </ul>
      )}
      <p className="elearn-my-training__credits">
        {format(t.credits, { month: data.credits.month, year: data.credits.year })}
      </p>
      {Number(data.points) > 0 && <p>{format(t.points, { points: data.points })}</p>}
      {data.ranks.slice(0, 1).map((r) => (
        <p key={r.period} className="elearn-my-training__rank">{format(t.rank, { rank: r.rank, period: r.period })}</p>
      ))}
      {archiveUrl && <p><a href={archiveUrl}>{t.archive}</a></p>}
    </section>
  );
}

export default MyTrainingWidget;
