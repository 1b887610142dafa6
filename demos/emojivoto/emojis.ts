// The emoji the app knows, and the name of each one's Vote RPC (one RPC per emoji, as in Linkerd's
// emojivoto: it makes per-route metrics show one failing route, VoteDoughnut).

export interface Emoji {
  unicode: string;
  shortcode: string;
}

export const EMOJIS: readonly Emoji[] = [
  { unicode: '🍩', shortcode: ':doughnut:' },
  { unicode: '💩', shortcode: ':poop:' },
  { unicode: '😂', shortcode: ':joy:' },
  { unicode: '😎', shortcode: ':sunglasses:' },
  { unicode: '😍', shortcode: ':heart_eyes:' },
  { unicode: '🎃', shortcode: ':jack_o_lantern:' },
  { unicode: '🐶', shortcode: ':dog:' },
  { unicode: '🐱', shortcode: ':cat:' },
  { unicode: '🦄', shortcode: ':unicorn:' },
  { unicode: '🦊', shortcode: ':fox_face:' },
  { unicode: '🐙', shortcode: ':octopus:' },
  { unicode: '🐢', shortcode: ':turtle:' },
  { unicode: '🌮', shortcode: ':taco:' },
  { unicode: '🍕', shortcode: ':pizza:' },
  { unicode: '🍔', shortcode: ':hamburger:' },
  { unicode: '🍦', shortcode: ':icecream:' },
  { unicode: '☕', shortcode: ':coffee:' },
  { unicode: '🌵', shortcode: ':cactus:' },
  { unicode: '🌈', shortcode: ':rainbow:' },
  { unicode: '🌍', shortcode: ':earth_africa:' },
  { unicode: '🔥', shortcode: ':fire:' },
  { unicode: '🚀', shortcode: ':rocket:' },
  { unicode: '🤖', shortcode: ':robot:' },
  { unicode: '👻', shortcode: ':ghost:' },
  { unicode: '🎉', shortcode: ':tada:' },
  { unicode: '👍', shortcode: ':thumbsup:' },
];

/** The emoji whose vote always fails: the bug users find with the mesh. */
export const DOUGHNUT = ':doughnut:';

/** `:jack_o_lantern:` -> `VoteJackOLantern`. */
export function voteMethod(shortcode: string): string {
  const words = shortcode.replace(/^:|:$/g, '').split('_');
  return `Vote${words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`;
}
