import React from 'react';
import { createRoot } from 'react-dom/client';
import { MyTrainingWidget } from './MyTrainingWidget';

export { MyTrainingWidget } from './MyTrainingWidget';
export { MESSAGES, languageOf } from './messages';

// The summary from the LMS, with the session or the JWT cookie the MFE already holds.
export function summaryFetcher(lmsBaseUrl = '') {
  return () => fetch(`${lmsBaseUrl}/elearn/api/v1/me/summary/`, { credentials: 'include' })
    .then((response) => {
      if (!response.ok) { throw new Error(`summary: ${response.status}`); }
      return response.json();
    });
}

// The standalone site mounts the same component on the learner's home page.
export function mount(element, { lmsBaseUrl = '', locale, archiveUrl } = {}) {
  const root = createRoot(element);
  root.render(
    <MyTrainingWidget
      fetchSummary={summaryFetcher(lmsBaseUrl)}
      locale={locale || document.documentElement.lang}
      archiveUrl={archiveUrl}
    />,
  );
  return root;
}
