/** stat's request path (SPEC §1). */
export const STAT_PATH = '/statistic/push_data/';
