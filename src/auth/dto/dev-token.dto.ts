import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class DevTokenRequestDto {
  @ApiProperty({ example: 'alice', description: 'The user id the token is for (its `sub`).' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  sub!: string;

  @ApiPropertyOptional({ example: ['admin'], description: 'Roles, carried as `cognito:groups`.', type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { each: true, message: 'each role must be a lower-case name' })
  roles?: string[];

  @ApiPropertyOptional({ example: 'alice@example.com' })
  @IsOptional()
  @IsEmail()
  email?: string;
}

export class DevTokenResponseDto {
  @ApiProperty({ description: 'A bearer token: send it as `Authorization: Bearer <token>`.' })
  accessToken!: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType!: string;

  @ApiProperty({ example: 86400, description: 'Seconds until the token expires.' })
  expiresIn!: number;
}
