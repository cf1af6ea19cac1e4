/**
 * Attachments of inbound mail into the Media Library, streamed from the spool files through Strapi's upload service
 * (so they appear in the Media Library, on whatever upload provider the site uses).
 */
import fs from 'node:fs';
import type { Core } from '@strapi/strapi';
import { storedAttachmentName } from '../mail/attachment-safety';
import type { ParsedMail, SpooledAttachment } from '../mail/types';

type Row = Record<string, unknown> & { id: number };

export interface StoredInlinePart {
  contentId: string;
  fileId: number;
  url: string;
  filename: string;
  contentType: string;
}

export function createAttachmentStore(strapi: Core.Strapi) {
  const query = (uid: string) => strapi.db.query(uid as never);

  /**
   * Stores bytes as they are, skipping the upload plugin's image processing (thumbnails, optimisation). Used when
   * that processing refuses a file (a truncated or damaged image): the attachment is kept rather than the message
   * being lost over a thumbnail.
   */
  async function uploadAsPlainFile(
    attachment: SpooledAttachment,
    displayName: string,
    storageName: string
  ): Promise<Row> {
    const uploads = strapi.plugin('upload');
    const entity = (await uploads
      .service('upload')
      .formatFileInfo(
        { filename: storageName, type: 'application/octet-stream', size: attachment.size },
        { name: displayName }
      )) as Record<string, unknown>;
    entity.filepath = attachment.tempPath;
    entity.getStream = () => fs.createReadStream(attachment.tempPath);
    await uploads.service('provider').checkFileSize(entity);
    await uploads.service('provider').upload(entity);
    entity.provider = (strapi.config.get('plugin::upload') as { provider: string }).provider;
    return (await query('plugin::upload.file').create({ data: entity })) as Row;
  }

  async function uploadOne(attachment: SpooledAttachment): Promise<Row> {
    const names = storedAttachmentName(attachment.filename, attachment.contentType);
    try {
      const [file] = (await strapi
        .plugin('upload')
        .service('upload')
        .upload({
          data: { fileInfo: { name: names.displayName } },
          files: {
            filepath: attachment.tempPath,
            originalFilename: names.storageName,
            mimetype: names.mimeType,
            size: attachment.size,
          },
        })) as Row[];
      return file;
    } catch (error) {
      if (!/not a valid image/i.test((error as Error).message)) throw error;
      return uploadAsPlainFile(attachment, names.displayName, names.storageName);
    }
  }

  async function uploadAttachments(
    mail: ParsedMail
  ): Promise<{ fileIds: number[]; inlineParts: StoredInlinePart[] }> {
    const fileIds: number[] = [];
    const inlineParts: StoredInlinePart[] = [];
    for (const attachment of mail.attachments) {
      const file = await uploadOne(attachment);
      fileIds.push(file.id);
      if (attachment.contentId) {
        inlineParts.push({
          contentId: attachment.contentId,
          fileId: file.id,
          url: String(file.url),
          filename: attachment.filename,
          contentType: attachment.contentType,
        });
      }
    }
    return { fileIds, inlineParts };
  }

  return { uploadAttachments };
}
