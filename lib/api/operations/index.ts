import type { Operation } from "../operation";
import { getAccountOperation } from "./account/get-account";
import { deleteImageOperation } from "./images/delete-image";
import { deleteImagesOperation } from "./images/delete-images";
import { getImageOperation } from "./images/get-image";
import { getOriginalOperation } from "./images/get-original";
import { getThumbnailOperation } from "./images/get-thumbnail";
import { listImagesOperation } from "./images/list-images";
import { renameImageOperation } from "./images/rename-image";
import { uploadImageOperation } from "./images/upload-image";
import { getOpenApiDocumentOperation } from "./meta/get-openapi-document";
import { createTempLinkOperation } from "./temp-links/create-temp-link";
import { listTempLinksOperation } from "./temp-links/list-temp-links";
import { openTempLinkOperation } from "./temp-links/open-temp-link";
import { revokeTempLinkOperation } from "./temp-links/revoke-temp-link";
import { completeUploadOperation } from "./uploads/complete-upload";
import { createUploadOperation } from "./uploads/create-upload";
import { putUploadContentOperation } from "./uploads/put-upload-content";

/** Every operation of the API, in the order the document lists them. */
export const operations: readonly Operation[] = [
  listImagesOperation,
  uploadImageOperation,
  getImageOperation,
  renameImageOperation,
  deleteImageOperation,
  deleteImagesOperation,
  createUploadOperation,
  putUploadContentOperation,
  completeUploadOperation,
  getThumbnailOperation,
  getOriginalOperation,
  createTempLinkOperation,
  listTempLinksOperation,
  revokeTempLinkOperation,
  openTempLinkOperation,
  getAccountOperation,
  getOpenApiDocumentOperation,
];
