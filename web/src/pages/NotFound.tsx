import { Link } from "react-router";
import "./pages.css";

export default function NotFound() {
  return (
    <div className="notfound">
      <p className="notfound-code" aria-hidden="true">
        404
      </p>
      <h1>Page not found</h1>
      <p className="muted">The page you asked for does not exist or you do not have access to it.</p>
      <Link to="/">Go to the home page</Link>
    </div>
  );
}
