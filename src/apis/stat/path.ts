/** stat's request path. */
export const STAT_PATH = '/statistic/push_data/';
