import type { Metadata } from "next";
import { ScanPage } from "@/components/scan/scan-page";

export const metadata: Metadata = { title: "Scan" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ScanPage scanId={id} />;
}
