// Tests only: the parts of @edx/frontend-platform the dashboard widget uses (the learner
// dashboard provides the real package).
export const calls = [];
export function getConfig() { return { LMS_BASE_URL: 'https://lms.test' }; }
export function getAuthenticatedHttpClient() {
  return {
    get(url) {
      calls.push(url);
      return Promise.resolve({ data: globalThis.__elearnSummary });
    },
  };
}
export function getLocale() { return globalThis.__elearnLocale || 'en'; }
