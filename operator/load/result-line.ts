/** The line a LoadTest Job's worker ends its log with; the controller reads it (controllers/loadtest/job.ts). */
export const RESULT_PREFIX = 'understudy-load-result ';
