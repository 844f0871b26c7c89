// "Was this helpful? Yes / No" under an article (portal and staff pages), then
// an optional comment. One vote per user: voting again, or sending the
// comment, replaces the earlier vote.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { post } from "../api/client";
import { kbLinkKeys, type FeedbackCounts } from "../api/search";
import { ErrorBanner } from "./States";

interface Vote {
  helpful: boolean;
  comment?: string;
}

export function ArticleFeedback({ articleId }: { articleId: number }) {
  const client = useQueryClient();
  const [helpful, setHelpful] = useState<boolean | null>(null);
  const [comment, setComment] = useState("");
  const [commented, setCommented] = useState(false);
  const send = useMutation({
    mutationFn: (vote: Vote) => post<FeedbackCounts>(`/articles/${articleId}/feedback`, vote),
    onSuccess: (_counts, vote) => {
      if (vote.comment) setCommented(true);
      // The staff article page's counts and comments.
      client.invalidateQueries({ queryKey: kbLinkKeys.feedback(articleId) });
    },
  });

  const choose = (value: boolean) => {
    setHelpful(value);
    setCommented(false);
    send.mutate(comment.trim() ? { helpful: value, comment: comment.trim() } : { helpful: value });
  };
  const submitComment = () => {
    if (helpful === null || !comment.trim() || send.isPending) return;
    send.mutate({ helpful, comment: comment.trim() });
  };

  const voted = helpful !== null && send.isSuccess;
  return (
    <section className="article-feedback" aria-label="Feedback" data-testid="article-feedback">
      <div className="article-feedback-row">
        <span className="article-feedback-question">Was this helpful?</span>
        <button type="button" aria-pressed={helpful === true} disabled={send.isPending} onClick={() => choose(true)}>
          Yes
        </button>
        <button type="button" aria-pressed={helpful === false} disabled={send.isPending} onClick={() => choose(false)}>
          No
        </button>
        {voted && (
          <span className="article-feedback-thanks" role="status">
            {commented ? "Thanks, your comment was sent." : "Thanks for your feedback."}
          </span>
        )}
      </div>
      <ErrorBanner error={send.error} />
      {helpful !== null && !commented && (
        // Not a <form>: the portal shows articles inside the new-ticket form.
        <div className="article-feedback-comment">
          <label htmlFor={`feedback-comment-${articleId}`}>
            {helpful ? "Anything to add?" : "What was missing or wrong?"} <span className="muted">(optional)</span>
          </label>
          <textarea id={`feedback-comment-${articleId}`} rows={2} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} />
          <div>
            <button type="button" disabled={send.isPending || !comment.trim()} onClick={submitComment}>
              Send comment
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
