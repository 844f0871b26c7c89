export default function Workspace() {
  return <h1>Workspace</h1>;
}
