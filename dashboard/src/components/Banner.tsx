// The control plane's state across the top: a red bar while it cannot be reached (pages keep their
// last answers and pick up again by themselves when it returns).
export function Banner({ connected, problem }: { connected: boolean; problem?: string | undefined }) {
  if (!connected) {
    return (
      <div className="banner bad" role="alert" data-testid="banner">
        The control plane is not answering: it may be restarting. The numbers below are the last it sent; this page reconnects by itself.
      </div>
    );
  }
  if (problem) {
    return (
      <div className="banner warn" role="alert" data-testid="banner">
        {problem}
      </div>
    );
  }
  return null;
}
