/**
 * The line our notifications carry above their quotable part. Outbound mail writes it; quote trimming cuts a reply
 * there before any other rule. Its own file so the outbound side does not load the quote trimmer to know it.
 */

/** Put at the top of the quotable part of our notifications; a reply is cut here before any other rule. */
export const REPLY_ABOVE_MARKER = '##- Please type your reply above this line -##';
