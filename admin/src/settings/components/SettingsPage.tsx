/**
 * The frame every settings page of the plugin shares: guarded by settings.manage (the menu link asks for it too, and
 * the server checks every route again), with Strapi's header layout.
 */
import type { ReactNode } from 'react';
import { Layouts, Page } from '@strapi/strapi/admin';

export const MANAGE_SETTINGS = [{ action: 'plugin::email-piping.settings.manage', subject: null }];

export const ProtectSettings = ({ children }: { children: ReactNode }) => (
  <Page.Protect permissions={MANAGE_SETTINGS}>{children}</Page.Protect>
);

interface SettingsPageProps {
  title: string;
  subtitle?: ReactNode;
  primaryAction?: ReactNode;
  secondaryAction?: ReactNode;
  navigationAction?: ReactNode;
  children: ReactNode;
}

export const SettingsPage = ({
  title,
  subtitle,
  primaryAction,
  secondaryAction,
  navigationAction,
  children,
}: SettingsPageProps) => (
  <Page.Main>
    <Page.Title>{title}</Page.Title>
    <Layouts.Header
      title={title}
      subtitle={subtitle}
      primaryAction={primaryAction}
      secondaryAction={secondaryAction}
      navigationAction={navigationAction}
    />
    <Layouts.Content>{children}</Layouts.Content>
  </Page.Main>
);
