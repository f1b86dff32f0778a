/** The list's "go to the next ticket", for actions on the ticket page (solve and next). */
let next: (() => void) | null = null;

export const setNextTicket = (fn: (() => void) | null) => {
  next = fn;
};
export const goNextTicket = () => next?.();
