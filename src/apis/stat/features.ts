/**
 * The stat feature table (docs/API.md § stat.push_data, the features table): which aids exist, which carry
 * `game_id`/`game_v` (G), and which carry a value in `v` and what it means.
 */

export interface Feature {
  readonly meaning: string;
  /** G: the event names a game (`game_id` required, `game_v` expected). */
  readonly game: boolean;
  /** What `v` carries (an integer); undefined when the aid carries no `v`. */
  readonly v?: string;
}

const PLATFORM = (meaning: string, v?: string): Feature => (v === undefined ? { meaning, game: false } : { meaning, game: false, v });
const GAME = (meaning: string, v?: string): Feature => (v === undefined ? { meaning, game: true } : { meaning, game: true, v });

/** aid → feature. A Map lookup is the hot-path check for `stat.unknown_aid`. */
export const FEATURES: ReadonlyMap<number, Feature> = new Map<number, Feature>([
  [1000, PLATFORM('platform: launch')],
  [1001, PLATFORM('platform: load data')],
  [1002, PLATFORM('platform: load data done')],
  // The API document's table lists 1003 with uid, app_id, game_id and game_v: a click on a game names it.
  [1003, GAME('platform: user clicks a game', 'column id')],
  [2001, GAME('game: load data')],
  [2002, GAME('game: enter')],
  [2003, GAME('game: exit', 'play time in seconds')],
  [2011, GAME('game: close button')],
  [2012, GAME('game: more button')],
  [2013, GAME('game: share button')],
  [2014, GAME('game: favourite button')],
  [2015, GAME('game: unfavourite button')],
  [2016, GAME('game: clear cache')],
  [2017, GAME('game: jump to mini-program', 'target game_id')],
  [2018, GAME('game: jump to lobby')],
  [3001, GAME('banner shown')],
  [3002, GAME('banner clicked')],
  [3011, GAME('rewarded video shown')],
  [3012, GAME('rewarded video clicked')],
  [3013, GAME('rewarded video closed')],
  [3014, GAME('rewarded video completed')],
  [3021, GAME('interstitial shown')],
  [3022, GAME('interstitial clicked')],
]);
