export default function PortalHome() {
  return <h1>PortalHome</h1>;
}
