// The widget's texts in English and Simplified Chinese (P-16, P-21, P-8); {name} is filled in.
export const MESSAGES = {
  en: {
    title: 'My training',
    loading: 'Loading your month…',
    error: 'Your training summary cannot be shown right now.',
    quota: '{done} of {required} required courses this month',
    quotaMet: 'Quota met',
    tasks: 'Due',
    noTasks: 'No open tasks.',
    overdue: 'overdue',
    credits: 'Credits: {month} this month, {year} this year',
    points: 'Contribution points: {points}',
    rank: 'Rank {rank} in {period}',
    warned: 'Last month ({period}): fewer required courses than the quota. Catch up this month.',
    suspension: 'Your account is suspended until {ends}. Reason: {reason}.',
    revocation: 'Your account has been revoked. Reason: {reason}. Apply to the HR centre to reopen it.',
    freeze: 'Your account is frozen. Reason: {reason}.',
    archive: 'See my whole training record',
  },
  zh_CN: {
    title: '我的培训',
    loading: '正在加载本月情况…',
    error: '暂时无法显示您的培训概况。',
    quota: '本月必修课已完成 {done} / {required}',
    quotaMet: '已达标',
    tasks: '截止',
    noTasks: '没有未完成的任务。',
    overdue: '已逾期',
    credits: '学分：本月 {month}，本年 {year}',
    points: '投稿积分：{points}',
    rank: '{period} 排名第 {rank}',
    warned: '上月（{period}）完成的必修课少于要求，请在本月补上。',
    suspension: '您的账号已被暂停，至 {ends}。原因：{reason}。',
    revocation: '您的账号已被注销。原因：{reason}。如需恢复，请向人力资源中心申请。',
    freeze: '您的账号已被冻结。原因：{reason}。',
    archive: '查看我的全部培训记录',
  },
};

export function languageOf(locale) {
  const value = String(locale || '').toLowerCase().replace('-', '_');
  return value.startsWith('zh') ? 'zh_CN' : 'en';
}

export function format(template, values = {}) {
  return template.replace(/\{(\w+)\}/g, (_all, key) => (key in values ? String(values[key]) : ''));
}
