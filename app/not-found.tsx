import { StatusPage } from "@/components/forbidden-page";

/** Unknown paths and notFound() anywhere outside the staff pages: a 404 in the app's style. */
export default function NotFound() {
  return (
    <StatusPage eyebrow="Error 404" title="Page not found">
      <p>There is nothing at this address: the link may be mistyped, or what it pointed to was deleted.</p>
    </StatusPage>
  );
}
