// /portal/kb/:id: a published public article, read-only, for requesters (the
// server answers 404 for anything else they may not read).
import { Link, useParams } from "react-router";
import { ArticleView } from "./ArticleView";
import "./portal.css";

export default function PortalArticle() {
  const { id } = useParams();
  return (
    <div className="portal portal-narrow">
      <Link to="/portal" className="portal-back">
        ← My tickets
      </Link>
      <div className="panel">
        <ArticleView id={Number(id)} />
      </div>
    </div>
  );
}
