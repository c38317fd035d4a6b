import React, { useCallback } from 'react';
import { getConfig } from '@edx/frontend-platform';
import { getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';
import { getLocale } from '@edx/frontend-platform/i18n';
import { Card } from '@openedx/paragon';
import { MyTrainingWidget } from './MyTrainingWidget';

// The learner dashboard's sidebar widget (`org.openedx.frontend.learner_dashboard.
// widget_sidebar.v1`): the summary from the LMS with the MFE's own authenticated client (the
// JWT cookie), in the MFE's language. The component is the one the standalone site mounts.
export function MyTrainingSidebar() {
  const fetchSummary = useCallback(() => {
    const lms = getConfig().LMS_BASE_URL;
    return getAuthenticatedHttpClient()
      .get(`${lms}/elearn/api/v1/me/summary/`)
      .then((response) => response.data);
  }, []);
  const archiveUrl = `${getConfig().LMS_BASE_URL}/elearn/my-training/`;
  // A Paragon card, as the dashboard's other sidebar widgets are.
  return (
    <Card className="elearn-my-training-card mb-3">
      <Card.Section>
        <MyTrainingWidget fetchSummary={fetchSummary} locale={getLocale()} archiveUrl={archiveUrl} />
      </Card.Section>
    </Card>
  );
}

export default MyTrainingSidebar;
